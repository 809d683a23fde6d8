from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "examples.project"
    label = "dynadmin_project"
    verbose_name = "dynadmin ready-made project"
