"""Moderating files: record input and output, the resumable local job, and the Ray Data job."""
