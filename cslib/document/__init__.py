"""The document model: what an executed report notebook becomes before it is rendered.

:mod:`~cslib.document.model` defines the typed blocks and the
:class:`~cslib.document.model.Document` every renderer reads;
:mod:`~cslib.document.assemble` turns executed notebooks into one.
"""
