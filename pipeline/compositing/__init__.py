"""compositing: the final MP4 from the render plan and the voiceovers, in one ffmpeg run."""
