"""Application workflows that span stages (the news-updated forecast of a country, ...); stage packages never import this package."""
