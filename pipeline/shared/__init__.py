"""What every stage uses: child processes that die with their stage, ffmpeg, crash-safe files."""
