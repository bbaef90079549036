"""Static HTML report of a run: pandas tables, matplotlib figures, jinja2 page."""
