// Placeholder: the generation strategies land here (issue 5).
