from siting.cli import main

raise SystemExit(main())
