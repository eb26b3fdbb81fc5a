from_var_file = "from-var-file"
from_cli      = "from-var-file"
