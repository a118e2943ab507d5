"""Build: plans, notebook execution, document assembly and rendering (layer 4).

The build layer runs notebooks and turns their outputs into documents; it
never computes a metric itself.
"""
