"""The program model: types from syntax, the module index, control flow and function summaries."""
