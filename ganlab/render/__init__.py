"""The one place for pictures: tensors to uint8, grids, 2D canvases, GIFs and plot frames.
Numpy and Pillow only (no gradio, no matplotlib)."""
