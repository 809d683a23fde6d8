"""Views: thin. They parse the request, call the data layer or a service, and render."""
