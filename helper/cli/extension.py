"""`witness extension [--zip OUT]`: the browser extension for a browser of your own."""

from __future__ import annotations

from pathlib import Path

from helper.cli.common import examples
from helper.core import extension_files
from helper.core.config import ensure_data_dir, load_config


def register(sub) -> None:
    p = sub.add_parser("extension", help="浏览器扩展：加载文件夹或商店 zip / the extension folder to load unpacked, or a store zip",
                       epilog=examples("witness extension", "witness extension --zip order-witness-extension.zip"))
    p.add_argument("--zip", metavar="OUT.zip",
                   help="write the extension as a zip for the Chrome Web Store or Edge Add-ons (never over a file)")
    p.set_defaults(func=cmd_extension)


def cmd_extension(args) -> int:
    if args.zip:
        info = extension_files.write_zip(Path(args.zip))
        print(f"✓ 已写入 / written: {info['path']} ({info['files']} files, version {info['version']})")
        print("  商店会分配新的扩展 ID；上架后在 config.json 中设置 extension_id / the store assigns its own extension ID: "
              "set extension_id in config.json to it")
        return 0
    config = load_config(args.data_dir)
    if not extension_files.is_clean(extension_files.extension_source()):
        ensure_data_dir(config)  # a checkout: the clean copy goes into the (private) data folder
    folder = extension_files.unpacked_folder(config.data_dir / "extension-unpacked")
    print("在 chrome://extensions（或 edge://extensions）打开开发者模式 → 加载已解压的扩展程序 → 选择此文件夹 / "
          "open chrome://extensions (or edge://extensions), turn on Developer mode, Load unpacked, choose this folder:")
    print(folder)
    return 0
