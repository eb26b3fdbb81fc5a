resource "aws_sagemaker_notebook_instance" "nb" {
  direct_internet_access = "Disabled"
}
