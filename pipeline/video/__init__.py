"""video_gen: the scenes' artwork and render plan. Offline, motion graphics over the product
photo (`offline`, drawn by `artwork` and `textcards` into `layout`); hosted, image-to-video clips
from Replicate (`hosted`, `replicate`). Compositing renders the plan."""
