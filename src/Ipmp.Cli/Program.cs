// Placeholder entry point; the command tree is being built.
return 0;
