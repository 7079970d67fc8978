from plumber.cli import main

raise SystemExit(main())
