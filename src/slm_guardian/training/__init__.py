"""Fine-tuning the guard: the validated training config, the LoRA training loop, checkpoints."""
