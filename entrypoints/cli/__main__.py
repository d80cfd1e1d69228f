from entrypoints.cli.main import run

run()
