"""Webhook signing secrets are stored encrypted (accounts.fields.EncryptedTextField)."""

from django.db import migrations

import accounts.fields


def encrypt_existing(apps, schema_editor):
    # Values from before read as they are; saving writes them encrypted.
    endpoints = apps.get_model("accounts", "WebhookEndpoint").objects.using(schema_editor.connection.alias)
    for endpoint in endpoints.only("id", "secret"):
        endpoint.save(update_fields=["secret"])


def decrypt_existing(apps, schema_editor):
    endpoints = apps.get_model("accounts", "WebhookEndpoint").objects.using(schema_editor.connection.alias)
    table = endpoints.model._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        for endpoint in endpoints.only("id", "secret"):
            cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [endpoint.secret, endpoint.id])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=accounts.fields.EncryptedTextField(editable=False),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
