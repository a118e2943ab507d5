"""Running a report notebook: its parameters, a Jupyter kernel, or IPython in-process.

:mod:`~cslib.execute.parameters` checks and converts parameters and keeps
secrets out of notebooks; :mod:`~cslib.execute.kernel` runs a notebook with
Papermill and a kernel; :mod:`~cslib.execute.inprocess` runs it in this
process (inside a fresh fork); :mod:`~cslib.execute.qmd` reads a Quarto
``.qmd`` file as a notebook.
"""
