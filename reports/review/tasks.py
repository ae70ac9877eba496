"""Beat tasks of the weekly review and the monthly audit."""
