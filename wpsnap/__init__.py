"""wpsnap: run a National Action Plan on UNSCR 1325 (Women, Peace and Security)."""
