"""The evidence-pack PDF: content assembled by trials.selectors, rendered by reportlab."""
