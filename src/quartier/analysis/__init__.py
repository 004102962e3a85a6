"""quartier's analysis core, free of Django.

Tables, areas, indicators, indices and disclosure control, as plain Python on polars and numpy.
"""
