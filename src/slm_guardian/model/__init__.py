"""The multi-task guard model: base loading, token format, detection and response decoding."""
