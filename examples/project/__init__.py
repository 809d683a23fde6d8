"""The ready-made project next to the dynadmin app: settings, URLs, WSGI, the DynamoDB Local
launcher and demo commands.
"""
