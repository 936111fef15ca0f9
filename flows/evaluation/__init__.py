"""Quality measurement against ground truth: extraction, language tagging, linking."""
