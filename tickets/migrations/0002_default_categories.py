"""Seed the fault categories of the support manual (hardware, software, network …)."""

from django.db import migrations

CATEGORIES = [
    ("hardware", "硬件故障", "Hardware", False, [
        ("hardware-pc", "电脑/笔记本", "PC / laptop"),
        ("hardware-printer", "打印机/外设", "Printer / peripherals"),
        ("hardware-server", "服务器/存储", "Server / storage"),
    ]),
    ("software", "软件异常", "Software", False, [
        ("software-office", "办公软件", "Office software"),
        ("software-business", "业务系统 (OA/ERP/财务)", "Business systems (OA/ERP/finance)"),
        ("software-os", "操作系统/驱动", "Operating system / drivers"),
    ]),
    ("network", "网络中断", "Network", False, [
        ("network-wired", "有线/内网", "Wired / intranet"),
        ("network-wifi", "无线网络", "Wi-Fi"),
        ("network-vpn", "VPN/远程接入", "VPN / remote access"),
    ]),
    ("configuration", "系统配置", "System configuration", False, [
        ("configuration-email", "邮箱配置", "Email setup"),
        ("configuration-device", "设备配置", "Device setup"),
    ]),
    ("permission", "账号与权限", "Accounts and permissions", False, [
        ("permission-account", "账号锁定/密码", "Account locked / password"),
        ("permission-access", "权限申请", "Access request"),
    ]),
    ("security", "安全事件", "Security incident", True, [
        ("security-malware", "病毒/勒索软件", "Virus / ransomware"),
        ("security-phishing", "钓鱼邮件", "Phishing"),
    ]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    for order, (slug, name, name_en, is_security, children) in enumerate(CATEGORIES):
        parent, _ = Category.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "name_en": name_en, "is_security": is_security, "sort_order": order * 10},
        )
        for child_order, (child_slug, child_name, child_en) in enumerate(children, start=1):
            Category.objects.get_or_create(
                slug=child_slug,
                defaults={
                    "name": child_name,
                    "name_en": child_en,
                    "parent": parent,
                    "is_security": is_security,
                    "sort_order": order * 10 + child_order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
