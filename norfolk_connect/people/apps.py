from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "norfolk_connect.people"
    label = "people"
    verbose_name = "People and access"
