"""What every platform asks through (cooldown, question log) and the long-running process."""
