"""The demo intranet's training section: demo modules and content (not shipped)."""
