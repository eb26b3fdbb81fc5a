from_auto     = "from-a-auto"
from_var_file = "from-a-auto"
