"""Seed the default functional checks (R5.2) of the business systems: what an engineer
tries before resolving a fault in the OA / ERP / finance systems."""

from django.db import migrations

# (category slug, [(Chinese, English), …]) — the manual's examples first.
DEFAULT_CHECKS = [
    (
        "software-business",
        [
            ("使用测试账号登录系统", "Log in with a test account"),
            ("发起并走完一个审批流程", "Run an approval flow end to end"),
            ("上传并打开一个附件", "Upload and open an attachment"),
            ("确认无次生问题（相关功能和速度正常）", "No secondary problems (related functions and speed as before)"),
        ],
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    CheckTemplate = apps.get_model("fieldwork", "CheckTemplate")
    for slug, checks in DEFAULT_CHECKS:
        category = Category.objects.filter(slug=slug).first()
        if category is None:  # a desk that deleted the category before this migration
            continue
        for order, (label, label_en) in enumerate(checks, start=1):
            CheckTemplate.objects.get_or_create(
                category=category,
                label=label,
                defaults={"label_en": label_en, "sort_order": order * 10},
            )


def unseed(apps, schema_editor):
    CheckTemplate = apps.get_model("fieldwork", "CheckTemplate")
    for slug, checks in DEFAULT_CHECKS:
        CheckTemplate.objects.filter(
            category__slug=slug, label__in=[label for label, _ in checks]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0001_initial"),
        ("tickets", "0002_default_categories"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
