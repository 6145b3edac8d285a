from tuneconf.cli.main import main

raise SystemExit(main())
