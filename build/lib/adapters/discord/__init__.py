"""Discord: `/emad`, mentions and DMs answered with cited embeds (discord.py)."""
