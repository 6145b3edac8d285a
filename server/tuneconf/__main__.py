from tuneconf.cli import main

raise SystemExit(main())
