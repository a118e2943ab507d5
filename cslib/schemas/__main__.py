"""``python -m cslib.schemas``: rewrite the shipped schema files from the code."""

from cslib.schemas import write_shipped

write_shipped()
