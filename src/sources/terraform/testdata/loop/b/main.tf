module "a" {
  source = "../a"
}

resource "aws_sagemaker_notebook_instance" "b" {
  name = "b"
}
