"""Notification moved here from the portal app (the restack: core is the bottom layer). The
table already exists under its old name: this migration only takes the model into core's
state; portal 0002 drops it from portal's state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='标题')),
                        ('body', models.TextField(blank=True, verbose_name='内容')),
                        ('link', models.CharField(blank=True, max_length=300, verbose_name='链接')),
                        ('key', models.CharField(blank=True, max_length=100, verbose_name='消息键')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
                    ],
                    options={
                        'db_table': 'portal_notification',
                        'verbose_name': '站内消息',
                        'verbose_name_plural': '站内消息',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['user', '-created_at'], name='notification_user_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('key', ''), _negated=True), fields=('user', 'key'), name='notification_once_per_key')],
                    },
                ),
            ],
        ),
    ]
