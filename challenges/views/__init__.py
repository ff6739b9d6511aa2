"""Challenge pages, by who uses them. Thin: selectors read, services write."""
