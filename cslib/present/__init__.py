"""Present: the house style, number formats, tables, charts and narrative (layer 3)."""
