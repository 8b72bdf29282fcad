// Placeholder: SVG charts and report writers land here (issue 6).
