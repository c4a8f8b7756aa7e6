// Document page: clicking a highlighted passage selects the events and claims it belongs to.
document.addEventListener("click", (click) => {
  const mark = click.target.closest("mark[data-events], mark[data-claims]");
  document.querySelectorAll("[data-active]").forEach((el) => el.removeAttribute("data-active"));
  if (!mark) return;
  mark.setAttribute("data-active", "");
  const ids = [];
  (mark.dataset.events || "").split(" ").filter(Boolean).forEach((n) => ids.push("event-" + n));
  (mark.dataset.claims || "").split(" ").filter(Boolean).forEach((n) => ids.push("claim-" + n));
  ids.forEach((id) => document.getElementById(id)?.setAttribute("data-active", ""));
  if (ids.length) document.getElementById(ids[0])?.scrollIntoView({ block: "nearest", behavior: "smooth" });
});
