from plumber.main import main

raise SystemExit(main())
