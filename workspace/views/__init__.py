"""Pages of the workspace: campaigns (campaigns.py) and searches with their creators
(searches.py)."""
