"""Offline pipeline that turns public safety data into multi-task training examples."""
