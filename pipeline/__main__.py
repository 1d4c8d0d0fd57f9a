from pipeline.cli import main

# Guarded: worker processes (spawned to read files) import this module under another name.
if __name__ == "__main__":
    raise SystemExit(main())
