"""Writing the guard for other runtimes: a merged Hugging Face folder and a GGUF file."""
