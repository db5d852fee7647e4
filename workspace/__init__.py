"""The signed-in user's workspace: campaign pages, search pages, the results table, the creator
panel, and the REST API over searches. It composes campaigns, scraping, outreach and trials, so
it sits above them; none of them imports it."""
