"""Beat tasks of the weekly and monthly summaries."""
