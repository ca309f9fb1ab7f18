// Service worker placeholder; the extension issue fills this in.
