"""Choosing the answer: candidate windows, their features, and the learned selector."""
